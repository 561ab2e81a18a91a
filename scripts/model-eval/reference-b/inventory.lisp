(define items (:items (json-parse (read-file "inventory.json"))))
(define totals (reduce (fn [m it] (update m (:warehouse it) (fn [t] (+ (or t 0) (:qty it))))) items {}))
(for-each (fn [p] (println (first p) (second p))) (sort (vec totals) (fn [a b] (> (second a) (second b)))))
