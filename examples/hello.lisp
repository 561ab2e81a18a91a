;; hello.lisp — a first Skein script.
;;
;;   bin/skein examples/hello.lisp            (or skein examples/hello.lisp, with skein on PATH)
;;   bin/skein examples/hello.lisp Ada        greets Ada instead
;;
;; It shows the everyday pieces: arguments, immutable data, keywords as functions,
;; a few tasks running at once, and a failure that comes back as a value instead of a crash.

(define args (command-line-args))
(define who (if (empty? args) "world" (first args)))
(println (str "Hello, " who "!"))
(newline)

;; Data: vectors [...] and maps {...} are immutable values; a keyword looks itself up in a map.
(define languages
  [{:name "Scheme"  :year 1975 :traits [:lisp :small]}
   {:name "Erlang"  :year 1986 :traits [:processes :messages]}
   {:name "Clojure" :year 2007 :traits [:lisp :immutable]}
   {:name "Skein"   :year 2025 :traits [:lisp :tasks :channels]}])

(println "Some relatives, oldest first:")
(for-each
  (fn [lang]
    (println (format "  ~a  ~a  ~a"
                     (:year lang)
                     (:name lang)
                     (string-join (map keyword->string (:traits lang)) ", "))))
  (sort-by :year languages))
(newline)

;; Concurrency: parallel-map runs one task per item and returns the results in input order,
;; however the tasks interleave. Each "greeting" here waits a little, like a network call.
(define (greet lang)
  (sleep (* 10 (string-length (:name lang))))
  (str "hello from " (:name lang)))

(define started (monotonic-ms))
(define greetings (parallel-map greet languages))
(for-each (fn [g] (println " " g)) greetings)
(println (format "  (4 greetings that wait 50-70 ms each took ~a ms together, not ~a)"
                 (if (< (- (monotonic-ms) started) 150) "well under 150" "more than 150")
                 (reduce + (map (fn [l] (* 10 (string-length (:name l)))) languages))))
(newline)

;; Errors: a failed operation is a value you can inspect; try turns a raised error into one too.
(define (safe-divide a b)
  (try (/ a b)
       (catch e e)))

(define r (safe-divide 10 0))
(if (error? r)
    (println "10 / 0 gave an error value:" (error-msg r))
    (println "10 / 0 =" r))
(println "10 / 4 =" (safe-divide 10 4))
