(define base (first (command-line-args)))
(define r (http-get (str base "/slow") :timeout 300))
(println (if (error? r) "timed out" (:body r)))
(println (:price (:body (http-get (str base "/items/2") :as :json))))
