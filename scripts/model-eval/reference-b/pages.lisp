(define base (first (command-line-args)))
(define (fetch n acc)
  (let [p (:body (http-get (str base "/page/" n) :as :json))
        all (append acc (:items p))]
    (if (nil? (:next p)) all (fetch (:next p) all))))
(define all (fetch 1 '()))
(println "items:" (length all))
(println "last:" (last all))
