(defn fib [n] (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(define ns [20 21 22 40])
(define rs (parallel-map fib ns :cores :all :timeout 2000))
(doseq [[n r] (map vector ns rs)]
  (println (str n ": " (if (error? r) "timeout" r))))
