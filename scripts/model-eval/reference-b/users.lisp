(define us (:body (http-get (str (first (command-line-args)) "/users") :as :json)))
(define g (group-by (fn [u] (get-in u [:address :city])) us))
(for-each (fn [c] (println (str c ": " (length (get g c))))) (sort (keys g)))
