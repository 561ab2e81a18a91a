(define files (glob "logs/**/*.log"))
(define counts
  (parallel-map (fn [f] [(length (filter (fn [l] (string-contains? l "ERROR")) (read-lines f))) f]) files))
(define hits (filter (fn [c] (> (first c) 0)) counts))
(define sorted (sort hits (fn [a b] (or (> (first a) (first b))
                                         (and (= (first a) (first b)) (< (compare (second a) (second b)) 0))))))
(for-each (fn [c] (println (first c) (second c))) sorted)
(println "total:" (reduce + (map first hits) 0))
