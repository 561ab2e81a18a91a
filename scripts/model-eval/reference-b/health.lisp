(define base (first (command-line-args)))
(define rs (parallel-map (fn [n] (http-get (str base "/health/" n) :timeout 500)) (range 1 9)))
(for-each (fn [n r] (println n (if (error? r) "down" "up"))) (range 1 9) rs)
(println "up:" (length (remove error? rs)))
