;; api-retry.lisp — call several API endpoints at once, with a deadline on every attempt and
;; retries for the failures that are worth retrying.
;;
;;   bin/skein examples/api-retry.lisp http://127.0.0.1:8080
;;   SKEIN_EXAMPLE_SERVER=http://127.0.0.1:8080 bin/skein examples/api-retry.lisp
;;
;; The server is expected to answer (test/examples.test.ts starts one like it):
;;   GET /items/N          200 {"id": N, "name": "item-N", "price": ...}; 404 for N > 100
;;   GET /flaky/KEY/N      503 the first N times KEY is asked for, then 200
;;   GET /slow/MS          answers after MS milliseconds
;;
;; Part 1 is the one-line version: parallel-map with :timeout (per attempt) and :retries.
;; Part 2 is an explicit retry loop with a policy: a 5xx, a timeout or a refused connection is
;; retried with exponential backoff, but a 404 is not (asking again will not make it exist).
;; Either way a failure comes back as an error value in its place; nothing is lost and the
;; other calls go on.

(define args (command-line-args))
(define from-env (getenv "SKEIN_EXAMPLE_SERVER"))
(define base (cond ((not (empty? args)) (first args))
                   ((and from-env (not= from-env "")) from-env)
                   (else nil)))

(unless base
  (println "usage: skein examples/api-retry.lisp BASE-URL   (or set SKEIN_EXAMPLE_SERVER)")
  (exit 0))

;; Every run uses fresh keys for the server's /flaky counters, so a second run behaves the same.
(define run-id (str (now) "-" (random 1000000)))

;; How a result reads in the report.
(define (describe r)
  (cond ((not (error? r)) (str "ok " r))
        ((map-get r :status) (str "failed with status " (map-get r :status)))
        (else (str "failed: " (error-msg r)))))

;; ---- part 1: parallel-map does the retrying ------------------------------------------------

(define (fetch-json path)
  (define response (http-get (str base path) :as :json))
  (if (error? response) response (:body response)))

(define paths ["/items/1" "/items/2" (str "/flaky/" run-id "-prices/1") "/items/404"])

;; :retries tries again after any failure: the 404 is asked for three times too. Part 2 chooses.
(println "part 1: four calls, 3 at a time, 500 ms per attempt, up to 2 retries each")
(for-each
  (fn [label r] (println (format "  ~a: ~a" label (describe r))))
  ["item 1" "item 2" "prices (fails once)" "item 404"]
  (parallel-map fetch-json paths :max-threads 3 :timeout 500 :retries 2))
(newline)

;; ---- part 2: an explicit retry policy ------------------------------------------------------

(define attempts (atom {}))          ; endpoint name -> attempts made, shared by the tasks

(define (retryable? e)
  (define status (map-get e :status))
  (or (nil? status) (>= status 500)))  ; timeouts and refused connections have no status

(define (fetch-with-retry endpoint)
  (define name (first endpoint))
  (define url (str base (second endpoint)))
  (let retry ((attempt 1))
    (atom-swap! attempts assoc name attempt)
    (define result (http-get url :timeout 300 :as :json))
    (cond
      ((not (error? result)) (:body result))
      ((and (retryable? result) (< attempt 4))
       (sleep (* 50 (expt 2 (- attempt 1))))   ; 50, 100, 200 ms
       (retry (+ attempt 1)))
      (else result))))

(define endpoints
  [["users"     "/items/1"]
   ["orders"    "/items/2"]
   ["inventory" (str "/flaky/" run-id "-inventory/2")]   ; fails twice, then answers
   ["billing"   (str "/flaky/" run-id "-billing/10")]    ; keeps failing
   ["search"    "/slow/5000"]                            ; answers too late
   ["legacy"    "/items/999"]])                          ; 404: not worth retrying

(define started (monotonic-ms))
(define results (parallel-map fetch-with-retry endpoints :max-threads 4))
(define elapsed (- (monotonic-ms) started))

(println "part 2: six endpoints, 4 at a time, 300 ms per attempt, at most 4 attempts")
(for-each
  (fn [endpoint result]
    (define name (first endpoint))
    (define tries (map-get @attempts name))
    (println (format "  ~a: ~a (~a attempt~a)" name (describe result) tries (if (= tries 1) "" "s"))))
  endpoints
  results)

(define successes (remove error? results))
(println "got" (length successes) "out of" (length endpoints))
;; The slow endpoint alone takes 4 attempts of 300 ms plus 350 ms of backoff; the others ran
;; at the same time, so the whole batch takes about as long as that one endpoint.
(println "the batch took less than 3 seconds:" (< elapsed 3000))
