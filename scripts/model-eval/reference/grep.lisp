(define files (sort (glob "**/*.{txt,log}")))
(for-each (fn [f]
            (for-each (fn [pair]
                        (when (regex-match "ERROR (disk|timeout)" (second pair))
                          (println (str f ":" (first pair) ": " (second pair)))))
                      (map list (range 1 100000) (read-lines f))))
          files)
