(define files (sort (glob "*.txt")))
(define counts (map (fn [f] (length (regex-find-all "\\S+" (read-file f)))) files))
(for-each (fn [f n] (println f n)) files counts)
(println "total:" (reduce + counts 0))
