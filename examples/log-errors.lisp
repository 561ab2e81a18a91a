;; log-errors.lisp — count the ERROR lines of every log file under a directory, in parallel.
;;
;;   bin/skein examples/log-errors.lisp [LOG-DIR]     (default: examples/data/logs)
;;
;; The concurrent version of `find DIR -name '*.log' | xargs -P 16 grep -c ERROR`:
;; glob finds the files at any depth, parallel-map reads and scans up to 16 of them at once,
;; and the results come back in the order of the file list, so the report is the same on
;; every run. A file that cannot be read becomes an error value in its row of the report;
;; it does not stop the others.

(define args (command-line-args))
(define dir (if (empty? args) "examples/data/logs" (first args)))

(define files (glob "**/*.log" :cwd dir))      ; sorted paths, relative to dir
(when (error? files)
  (eprintln "log-errors:" (error-msg files))
  (exit 1))

;; The message of an ERROR line: what follows the word ERROR.
(define (message-of line)
  (define m (regex-match "ERROR\\s+(.*)$" line))
  (if m (second m) line))

(define (scan file)
  (define lines (read-lines (str dir "/" file)))
  (if (error? lines)
      lines                                     ; parallel-map adds the file under :input
      (let ((errors (filter (fn [line] (string-contains? line "ERROR")) lines)))
        {:file file
         :lines (length lines)
         :errors (length errors)
         :messages (map message-of errors)})))

(define results (parallel-map scan files :max-threads 16))

;; ---- report ------------------------------------------------------------------------------

(define (pad s width)                           ; s followed by spaces up to width
  (str s (string-join (map (fn [_] " ") (range (- width (string-length s)))))))

(define (plural n word) (str n " " word (if (= n 1) "" "s")))

(define scanned (remove error? results))

(println (format "~a in ~a, ~a"
                 (plural (length files) "log file")
                 dir
                 (plural (reduce + (map :lines scanned) 0) "line")))
(for-each
  (fn [r]
    (if (error? r)
        (println " " (pad (map-get r :input) 20) "could not be read:" (error-msg r))
        (println " " (pad (:file r) 20) (plural (:errors r) "error"))))
  results)

(define total (reduce + (map :errors scanned) 0))
(println "total:" (plural total "ERROR line"))

;; The most frequent messages across all files: group equal messages, then the most frequent
;; first, ties in alphabetical order.
(define all-messages (apply append (map :messages scanned)))
(define counts                                  ; ([message count] ...)
  (map (fn [entry] [(first entry) (length (second entry))])
       (group-by identity all-messages)))
(define (more-frequent? a b)
  (if (= (second a) (second b))
      (< (compare (first a) (first b)) 0)
      (> (second a) (second b))))

(unless (empty? counts)
  (println "most frequent:")
  (for-each (fn [c] (println (format "  ~ax ~a" (second c) (first c))))
            (take 3 (sort counts more-frequent?))))
