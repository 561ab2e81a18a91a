(define files (sort (glob "words-*.txt")))
(define counts (parallel-map (fn [f] (string->number (first (string-split (string-trim (:out (run ["wc" "-l" f]))) " ")))) files))
(for-each (fn [f n] (println f n)) files counts)
(println "total" (reduce + counts 0))
