(defn prime? [n]
  (and (>= n 2)
       (loop [d 2]
         (cond (> (* d d) n) #t
               (= 0 (mod n d)) #f
               :else (recur (+ d 1))))))
(defn count-primes [[lo hi]]
  (loop [n lo acc 0] (if (>= n hi) acc (recur (+ n 1) (if (prime? n) (+ acc 1) acc)))))
(define chunks (map (fn [i] [(* i 25000) (* (+ i 1) 25000)]) (range 12)))
(println "primes:" (apply + (parallel-map count-primes chunks :cores :all)))
