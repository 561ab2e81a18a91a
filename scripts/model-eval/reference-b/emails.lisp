(define es (sort (distinct (remove empty? (map (fn [l] (string-downcase (string-trim l))) (read-lines "emails.txt"))))))
(println (length es) "unique")
(for-each println es)
