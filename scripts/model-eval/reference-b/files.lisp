(make-dir "out")
(for-each (fn [c] (write-file (str "out/" c ".txt") (str c c))) ["red" "green" "blue"])
(for-each (fn [f] (println f (file-size (str "out/" f)))) (sort (list-dir "out")))
