;; db-queries.lisp — fill a SQLite table, then run several aggregate queries at once.
;;
;;   bin/skein examples/db-queries.lisp              (an in-memory database)
;;   bin/skein examples/db-queries.lisp shop.db      (a file; its orders table is replaced)
;;
;; db-open gives a handle that any task may use. The rows go in with bound parameters (`?`),
;; never spliced into the SQL, so a quote in a name cannot break the statement. Then
;; parallel-map runs the report's queries concurrently, each with a deadline; the results come
;; back in the order of the query list, and a broken query becomes an error value in its place
;; while the others still answer. (SQLite executes one statement at a time on its connection;
;; against a postgres:// URL the same code runs the queries on several pooled connections.)

(define args (command-line-args))
(define db (db-open (str "sqlite:" (if (empty? args) ":memory:" (first args)))))
(when (error? db)
  (eprintln "db-queries:" (error-msg db))
  (exit 1))

(db-exec db "DROP TABLE IF EXISTS orders;
             CREATE TABLE orders (
               id       INTEGER PRIMARY KEY,
               customer TEXT NOT NULL,
               region   TEXT NOT NULL,
               amount   REAL NOT NULL,
               day      TEXT NOT NULL)")

;; 120 made-up orders, the same on every run.
(define customers ["Ada" "Grace" "Linus" "Barbara" "Ken" "O'Brien"])
(define regions ["north" "south" "east"])

(define (order i)
  [(nth customers (modulo (* i 7) 6))
   (nth regions (modulo i 3))
   (+ 5 (modulo (* i 37) 100) (/ (modulo i 4) 4))   ; 5 .. 104.75
   (str "2025-03-0" (+ 1 (modulo i 9)))])                 ; 2025-03-01 .. 2025-03-09

(for-each
  (fn [i] (db-exec db "INSERT INTO orders (customer, region, amount, day) VALUES (?, ?, ?, ?)" (order i)))
  (range 120))

;; ---- the report: every query at once -----------------------------------------------------

(define queries
  [{:title "totals"
    :sql "SELECT COUNT(*) AS orders, SUM(amount) AS revenue, ROUND(AVG(amount), 2) AS average FROM orders"}
   {:title "revenue by region"
    :sql "SELECT region, COUNT(*) AS orders, SUM(amount) AS revenue
          FROM orders GROUP BY region ORDER BY revenue DESC"}
   {:title "top 3 customers"
    :sql "SELECT customer, SUM(amount) AS spent FROM orders
          GROUP BY customer ORDER BY spent DESC, customer LIMIT 3"}
   {:title "big orders in the north"
    :sql "SELECT COUNT(*) AS orders, MIN(amount) AS smallest FROM orders WHERE region = ? AND amount >= ?"
    :params ["north" 90]}
   {:title "busiest day"
    :sql "SELECT day, COUNT(*) AS orders FROM orders GROUP BY day ORDER BY orders DESC, day LIMIT 1"}
   {:title "a query with a typo"
    :sql "SELECT COUNT(*) FROM order"}])

(define (run-query q)
  (db-query db (:sql q) (or (:params q) []) :timeout 2000))

(define results (parallel-map run-query queries :max-threads 4))

(for-each
  (fn [q rows]
    (println (str (:title q) ":"))
    (if (error? rows)
        (println "  failed:" (error-msg rows))
        (for-each (fn [row] (println " " row)) rows)))
  queries
  results)

(db-close db)
