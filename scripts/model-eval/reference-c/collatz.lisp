(defn collatz-length [n]
  (loop [n n len 1] (if (= n 1) len (recur (if (even? n) (quot n 2) (+ (* 3 n) 1)) (+ len 1)))))
(defn best-in [[lo hi]]
  (loop [n lo best [0 0]]
    (if (>= n hi) best
        (let [l (collatz-length n)] (recur (+ n 1) (if (> l (second best)) [n l] best))))))
(define bests (parallel-map best-in (map (fn [i] [(+ 1 (* i 10000)) (+ 1 (* (+ i 1) 10000))]) (range 10)) :cores :all))
(define best (reduce (fn [a b] (if (> (second b) (second a)) b a)) bests))
(println (first best) (second best))
