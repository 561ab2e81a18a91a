(println (string-join (parallel-map (fn [c] (:exit (sh c))) ["true" "false" "exit 3"]) " "))
