;; pipeline.lisp — a producer/consumer pipeline with channels, tasks, stream-map and atoms.
;;
;;   bin/skein examples/pipeline.lisp
;;
;; A producer task writes log records into a bounded channel; stream-map parses them with
;; four workers at a time; the main task consumes the parsed records and keeps counts in an
;; atom. A malformed record does not stop anything: its worker's error comes out of the
;; pipeline as an error value carrying the bad input. Then parallel-map checks "services"
;; with a timeout, so a slow one becomes an error value instead of a hang.

;; ---- stage 1: a producer, with backpressure -----------------------------------------

(define raw-records
  ["INFO  api     GET /users 200 12"
   "WARN  api     GET /users 200 340"
   "ERROR db      query timeout 5000"
   "INFO  web     GET / 200 8"
   "INFO  api     POST /login 201 45"
   "garbage line"
   "ERROR api     GET /orders 500 102"
   "INFO  worker  job 17 done 230"
   "DEBUG web     cache hit 1"
   "INFO  api     GET /users/7 200 15"])

;; A bounded channel holds at most 3 records: the producer waits (backpressure) whenever the
;; parsers fall behind, so memory stays flat however long the input is.
(define records (make-channel 3))

(spawn (fn []
  (for-each (fn [line] (channel-send records line)) raw-records)
  (channel-close records)))          ; closing tells stream-map the input is finished

;; ---- stage 2: parse with 4 workers ----------------------------------------------------

(define (parse-record line)
  (define fields (string-split line))
  (when (< (length fields) 4)
    (error "malformed record" {:fields (length fields)}))
  (sleep (* 3 (length fields)))      ; stand-in for real work (a lookup, a request...)
  {:level (string->keyword (string-downcase (first fields)))
   :service (second fields)
   :ms (string->number (last fields))})

;; :ordered #t keeps the input order; without it, results come out as they finish.
(define parsed (stream-map parse-record records :workers 4 :ordered #t))

;; ---- stage 3: consume, with shared counters in an atom --------------------------------

(define stats (atom {:records 0 :rejected 0 :slow 0}))

(define (count! key) (atom-swap! stats update key inc))

(define good
  (let loop ((acc []))
    (define r (channel-recv parsed))
    (cond
      ;; the channel closed error means the pipeline is finished
      ((and (error? r) (= (error-msg r) "channel closed")) acc)
      ((error? r)
       (count! :rejected)
       (println (format "rejected ~s: ~a" (map-get r :input) (error-msg r)))
       (loop acc))
      (else
       (count! :records)
       (when (> (:ms r) 100) (count! :slow))
       (loop (conj acc r))))))
;; ---- report ---------------------------------------------------------------------------

(newline)
(println "stats:" @stats)
(println "by level:")
(for-each
  (fn [entry]
    (println (format "  ~a ~a" (first entry) (length (second entry)))))
  (group-by :level good))           ; a map is a sequence of [key value] entries
(let ((slowest (last (sort-by :ms good))))
  (println (format "slowest: ~a (~a ms)" (:service slowest) (:ms slowest))))

;; ---- fan-out with a deadline ------------------------------------------------------------

;; Each "health check" sleeps for its latency; parallel-map runs them all at once, and
;; :timeout turns the slow one into an error value with the item under :input.
(define services [{:name "api" :latency 20} {:name "db" :latency 400} {:name "web" :latency 10}])

(define (check svc)
  (sleep (:latency svc))
  (str (:name svc) " ok"))

(newline)
(println "health checks (100 ms deadline each):")
(for-each
  (fn [r]
    (if (error? r)
        (println " " (:name (map-get r :input)) "failed:" (error-msg r))
        (println " " r)))
  (parallel-map check services :timeout 100))
