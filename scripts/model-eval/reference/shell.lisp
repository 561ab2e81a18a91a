(println (str "exit=" (:exit (sh "ls nonexistent-dir"))))
(println (string-join (string-lines (:out (sh "printf 'b\\na\\nc\\n' | sort"))) ","))
