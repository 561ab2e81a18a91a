;; producer-consumer-files.lisp — a producer queues files, a few workers process them, a
;; collector adds up the results: the classic pipeline, over real files.
;;
;;   bin/skein examples/producer-consumer-files.lisp [DIR]     (default: examples/data/sales)
;;
;; DIR holds one CSV file per day with the header product,quantity,unit_price.
;; The producer sends file names into a bounded channel (it waits while the queue is full:
;; backpressure). Three workers take files from the queue until it is closed and drained, and
;; send one result per file. The last worker to finish closes the results channel, so the
;; collector simply reads until it is closed. A file with a bad line is rejected as a whole:
;; its result is an error value, and the collector reports it instead of adding it up.
;; (examples/pipeline.lisp shows the same shape with stream-map doing the worker part.)

(define args (command-line-args))
(define dir (if (empty? args) "examples/data/sales" (first args)))

(define work-queue (make-channel 2))
(define results (make-channel 2))

;; ---- producer ------------------------------------------------------------------------------

(define files (glob "*.csv" :cwd dir))
(when (error? files)
  (eprintln "producer-consumer-files:" (error-msg files))
  (exit 1))

(spawn (fn []
  (for-each (fn [f] (channel-send work-queue f)) files)
  (channel-close work-queue)))              ; the workers stop once the queue is drained

;; ---- workers ---------------------------------------------------------------------------------

;; {:file :rows :units :revenue} for one file, or an error value naming the file and line.
(define (process-csv file)
  (define lines (read-lines (str dir "/" file)))
  (if (error? lines)
      lines
      (let loop ((rows (rest lines)) (line-no 2) (acc {:file file :rows 0 :units 0 :revenue 0}))
        (if (empty? rows)
            acc
            (let* ((fields (string-split (first rows) ","))
                   (quantity (string->number (nth fields 1)))
                   (price (string->number (nth fields 2))))
              (if (or (nil? quantity) (nil? price))
                  (make-error (format "~a line ~a: not a number in ~s" file line-no (first rows))
                              {:file file :line line-no})
                  (loop (rest rows)
                        (+ line-no 1)
                        {:file file
                         :rows (+ (:rows acc) 1)
                         :units (+ (:units acc) quantity)
                         :revenue (+ (:revenue acc) (* quantity price))})))))))

(define worker-count 3)
(define workers-left (atom worker-count))
(define in-progress (atom 0))
(define peak (atom 0))

(for-each
  (fn [_]
    (spawn (fn []
      (let work ()
        (define file (channel-recv work-queue))
        (unless (error? file)                 ; channel closed: no more work
          (atom-swap! peak max (atom-swap! in-progress inc))
          ;; try: even an unexpected raise becomes this file's result instead of killing the worker
          (define result (try (process-csv file)
                              (catch e (make-error (error-msg e) {:file file}))))
          (sleep 20)                          ; stands in for slower work (an upload, a request...)
          (atom-swap! in-progress dec)
          (channel-send results result)
          (work)))
      (when (= (atom-swap! workers-left dec) 0)
        (channel-close results)))))
  (range worker-count))

;; ---- collector -------------------------------------------------------------------------------

(define (plural n word) (str n " " word (if (= n 1) "" "s")))

;; Results arrive in whatever order the workers finish; sorting makes the report stable.
(define collected (channel->list results))
(define good (sort-by :file (remove error? collected)))
(define failed (filter error? collected))

(println (format "~a files from ~a, ~a workers (at most ~a files in progress at once)"
                 (length collected) dir worker-count @peak))
(for-each
  (fn [r] (println (format "  ~a: ~a, ~a, revenue ~a"
                   (:file r) (plural (:rows r) "row") (plural (:units r) "unit") (:revenue r))))
  good)
(for-each (fn [e] (println "  rejected:" (error-msg e)))
          (sort-by (fn [e] (map-get e :file)) failed))
(println "total revenue:" (reduce + (map :revenue good) 0))
