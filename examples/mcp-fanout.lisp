;; mcp-fanout.lisp — code mode: one program over an MCP server's tools.
;;
;;   bin/skein examples/mcp-fanout.lisp               the reference server of the MCP project
;;                                                    (installed with npm install, as a dev dependency)
;;   bin/skein examples/mcp-fanout.lisp 'COMMAND'     any MCP server started by COMMAND
;;
;; It connects, lists the tools with what each needs, then fans out: every get- tool that needs
;; no argument is called at once (at most four at a time, each with a deadline), and one tool is
;; called over many inputs. Errors come back as values, so one failing tool does not stop the others.

(define args (command-line-args))
(define command
  (if (empty? args)
    "node node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio"
    (first args)))

(define server (mcp-connect command))
(when (error? server)
  (println (str "cannot start the server: " (error-msg server)))
  (exit 1))

(define tools (mcp-tools server))
(define (required tool) (or (get-in tool [:input-schema :required]) []))

(println (str (count tools) " tools:"))
(for-each
  (fn [tool]
    (println (format "  ~a ~a" (:name tool) (required tool))))
  (sort-by :name tools))

;; the get- tools that take no argument (the reads), all at once; a slow one gives up after 5 s
(define simple
  (filter (fn [tool] (and (empty? (required tool)) (string-starts-with? (:name tool) "get-")))
          tools))
(define outcomes
  (parallel-map (fn [tool] [(:name tool) (mcp-call server (:name tool) {} :timeout 5000)])
                simple
                :max-threads 4))
(println "reads without arguments:")
(for-each
  (fn [outcome]
    (let [name (first outcome) result (second outcome)]
      (println (format "  ~a: ~a" name (if (error? result) (str "error: " (error-msg result)) "ok")))))
  (sort-by first outcomes))

;; one tool over many inputs, four at a time
(define sums
  (parallel-map (fn [i] (mcp-call server "get-sum" {:a i :b (* i i)})) (range 1 6) :max-threads 4))
(println "get-sum over 1..5:")
(for-each (fn [s] (println (str "  " s))) sums)

(mcp-close server)
