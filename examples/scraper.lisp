;; scraper.lisp — fetch N pages politely: a few at a time and no faster than the site allows.
;;
;;   bin/skein examples/scraper.lisp BASE-URL [N]        (N pages, default 12)
;;   SKEIN_EXAMPLE_SERVER=BASE-URL bin/skein examples/scraper.lisp
;;
;; The server is expected to serve GET /page/N as HTML with a <title> and links
;; (<a href="/page/M">), and to answer 429 Too Many Requests when a client goes over its rate
;; limit (the one test/examples.test.ts starts allows 10 requests per second).
;;
;; parallel-map does the politeness: :rate 8 starts at most 8 requests per second, spaced
;; evenly, and :max-threads 3 keeps at most 3 in flight. Each page's title and links are pulled
;; out with regular expressions. The report shows what was found, the links that lead to pages
;; not fetched yet (the next round of a crawl), how many requests the server refused, and
;; a timing check: N requests started at 8 per second cannot take less than (N - 1) / 8 s.

(define args (command-line-args))
(define from-env (getenv "SKEIN_EXAMPLE_SERVER"))
(define base (cond ((not (empty? args)) (first args))
                   ((and from-env (not= from-env "")) from-env)
                   (else nil)))
(unless base
  (println "usage: skein examples/scraper.lisp BASE-URL [N]   (or set SKEIN_EXAMPLE_SERVER)")
  (exit 0))
(define page-count (if (< (length args) 2) 12 (string->number (second args))))
(unless (and page-count (integer? page-count) (> page-count 0))
  (eprintln "scraper: N must be a positive whole number, got" (second args))
  (exit 2))
(define rate 8)                       ; requests per second

;; {:page n :title "..." :links ("/page/2" ...)}, or the error value of the request.
(define (scrape n)
  (define response (http-get (str base "/page/" n) :timeout 2000))
  (if (error? response)
      response
      (let ((html (:body response)))
        {:page n
         :title (second (regex-match "<title>([^<]*)</title>" html))
         :links (map second (regex-find-all "href=\"(/page/\\d+)\"" html))})))

(define pages (range 1 (+ page-count 1)))
(println (format "fetching ~a pages, at most ~a per second and 3 at a time" page-count rate))
(define started (monotonic-ms))
(define results (parallel-map scrape pages :rate rate :max-threads 3))
(define elapsed (- (monotonic-ms) started))

;; ---- report --------------------------------------------------------------------------------

(define fetched (remove error? results))
(define refused (filter (fn [r] (and (error? r) (= (map-get r :status) 429))) results))

(for-each
  (fn [r]
    (if (error? r)
        (println (format "  page ~a: failed: ~a" (map-get r :input) (or (map-get r :status) (error-msg r))))
        (println (format "  page ~a: ~s, ~a links" (:page r) (:title r) (length (:links r))))))
  results)

(define seen (map (fn [n] (str "/page/" n)) pages))
(define next-round
  (sort-by (fn [link] (string->number (substring link 6)))
           (remove (fn [link] (member link seen))
                   (distinct (apply append (map :links fetched))))))
(println (format "~a pages fetched, ~a refused by the server's rate limit"
                 (length fetched) (length refused)))
(println "links to pages not fetched yet:" (string-join next-round " "))

(define minimum (* (- page-count 1) (/ 1000 rate)))
(println (format "elapsed: ~a ms (~a requests at ~a per second need at least ~a ms)"
                 (round elapsed) page-count rate minimum))
(println "rate honoured:" (>= elapsed minimum))
