;; etl-csv.lisp — extract rows from a CSV file, validate them, load them into SQLite, report.
;;
;;   bin/skein examples/etl-csv.lisp [CSV-FILE [DB-FILE]]
;;       CSV-FILE defaults to examples/data/orders.csv; DB-FILE to an in-memory database
;;       (a file keeps the loaded table; its orders table is replaced on every run).
;;
;; The CSV has a header line naming the columns, in any order:
;;   order_id,date,customer,product,quantity,unit_price
;; Fields may be quoted: "Hopper, Grace" holds a comma, "Widget ""XL""" a quote.
;; (Quoted fields that span several lines are not handled: each line is one row.)
;;
;; A row that does not validate becomes an error value that says what is wrong and on which
;; line; so does a row the database refuses (a duplicate order_id). Bad rows are reported and
;; skipped; they never stop the load. Good rows are inserted one statement at a time with
;; bound parameters (no transaction), then one query summarises what was loaded.

(define args (command-line-args))
(define csv-path (if (empty? args) "examples/data/orders.csv" (first args)))
(define db-path (if (< (length args) 2) ":memory:" (second args)))

(define (plural n word) (str n " " word (if (= n 1) "" "s")))

;; ---- extract -----------------------------------------------------------------------------

;; One field: a quoted string (with "" for a quote inside) or anything up to the next comma.
(define field-pattern "(?:^|,)(\"(?:[^\"]|\"\")*\"|[^,]*)")

(define (unquote-field f)
  (if (and (>= (string-length f) 2) (string-starts-with? f "\"") (string-ends-with? f "\""))
      (string-replace (substring f 1 (- (string-length f) 1)) "\"\"" "\"")
      f))

(define (parse-line line)
  (map (fn [m] (unquote-field (second m))) (regex-find-all field-pattern line)))

(define lines (read-lines csv-path))
(when (error? lines)
  (eprintln "etl-csv:" (error-msg lines))
  (exit 1))

(when (empty? lines)
  (eprintln "etl-csv:" csv-path "is empty")
  (exit 1))

;; The header names the columns (in any order); a byte-order mark, as some spreadsheets write
;; at the start of the file, is dropped.
(define header (map string->keyword (parse-line (regex-replace "^\u{FEFF}" (first lines) ""))))
(define required [:order_id :date :customer :product :quantity :unit_price])
(define missing-columns (remove (fn [c] (member c header)) required))
(unless (empty? missing-columns)
  (eprintln "etl-csv:" csv-path "lacks the columns" (string-join (map keyword->string missing-columns) ", "))
  (exit 1))

;; Numbered data lines, blank ones left out: ([line-number text] ...)
(define numbered
  (remove (fn [entry] (= (string-trim (second entry)) ""))
          (map (fn [text n] [n text]) (rest lines) (range 2 (+ 2 (length lines))))))

;; ---- transform and validate -------------------------------------------------------------

(define date-pattern "^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$")

(define (whole-number s)            ; the number in s if it is a whole number > 0, else nil
  (define n (string->number s))
  (if (and n (integer? n) (> n 0)) n nil))

;; A map of the row's columns, or an error value naming the line and the problem.
(define (validate entry)
  (define line-no (first entry))
  (define fields (parse-line (second entry)))
  (define (bad msg) (make-error msg {:line line-no}))
  (if (not= (length fields) (length header))
      (bad (format "expected ~a fields, got ~a" (length header) (length fields)))
      (let ((row (into {} (map vector header fields))))
        (define price (string->number (:unit_price row)))
        (cond
          ((not (whole-number (:order_id row))) (bad (format "order_id is not a number: ~s" (:order_id row))))
          ((not (regex-match date-pattern (:date row))) (bad (format "not a date: ~s" (:date row))))
          ((= (string-trim (:customer row)) "") (bad "customer is empty"))
          ((not (whole-number (:quantity row))) (bad (format "quantity is not a positive whole number: ~s" (:quantity row))))
          ((or (nil? price) (< price 0)) (bad (format "unit_price is not a price: ~s" (:unit_price row))))
          (else {:line line-no
                 :order-id (whole-number (:order_id row))
                 :date (:date row)
                 :customer (string-trim (:customer row))
                 :product (:product row)
                 :quantity (whole-number (:quantity row))
                 :unit-price price})))))

(define rows (map validate numbered))

;; ---- load --------------------------------------------------------------------------------

(define db (db-open (str "sqlite:" db-path)))
(when (error? db)
  (eprintln "etl-csv:" (error-msg db))
  (exit 1))

(db-exec db "DROP TABLE IF EXISTS orders;
             CREATE TABLE orders (
               order_id   INTEGER PRIMARY KEY,
               date       TEXT NOT NULL,
               customer   TEXT NOT NULL,
               product    TEXT NOT NULL,
               quantity   INTEGER NOT NULL,
               unit_price REAL NOT NULL)")

;; Inserts a valid row; the database's refusal (a duplicate key...) becomes this row's error.
(define (load row)
  (if (error? row)
      row
      (let ((r (db-exec db "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)"
                        [(:order-id row) (:date row) (:customer row) (:product row)
                         (:quantity row) (:unit-price row)])))
        (if (error? r) (make-error (error-msg r) {:line (:line row)}) row))))

(define outcomes (map load rows))        ; in file order, one statement at a time
(define loaded (remove error? outcomes))
(define rejected (filter error? outcomes))

(println (format "~a: ~a, ~a loaded, ~a rejected"
                 csv-path (plural (length outcomes) "data row") (length loaded) (length rejected)))
(for-each (fn [e] (println (format "  line ~a: ~a" (map-get e :line) (error-msg e)))) rejected)

;; ---- report ------------------------------------------------------------------------------

(newline)
(println "sales by product:")
(for-each
  (fn [r] (println (format "  ~a: ~a, ~a, revenue ~a"
                         (:product r) (plural (:orders r) "order") (plural (:units r) "unit") (:revenue r))))
  (db-query db "SELECT product, COUNT(*) AS orders, SUM(quantity) AS units,
                       ROUND(SUM(quantity * unit_price), 2) AS revenue
                FROM orders GROUP BY product ORDER BY revenue DESC, product"))

(define total (first (db-query db "SELECT ROUND(SUM(quantity * unit_price), 2) AS revenue FROM orders")))
(println "total revenue:" (:revenue total))
(db-close db)
