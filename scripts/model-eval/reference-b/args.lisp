(println "args:" (length (command-line-args)))
(println (string-upcase (second (command-line-args))))
