(define files (sort (filter (fn [f] (string-ends-with? f ".log")) (map basename (glob "logs/*.log")))))
(define counts (parallel-map (fn [f] (count (filter (fn [l] (string-contains? l "ERROR")) (read-lines (str "logs/" f))))) files :cores :all))
(doseq [[f c] (map vector files counts)] (println f c))
(println "total:" (apply + counts))
