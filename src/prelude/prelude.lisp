;; The prelude: library functions written in Skein itself. Higher-order functions live here so
;; that a function passed to them may block (channel-send inside map) or be preempted.

(defn map
  "Applies f to each item (of one or more lists or vectors) and returns a list of the results."
  [f xs & more]
  (if (null? more)
      (let loop ((xs (seq->list xs)) (acc '()))
        (if (null? xs) (reverse acc) (loop (cdr xs) (cons (f (car xs)) acc))))
      (let loop ((xss (%map1 seq->list (cons xs more))) (acc '()))
        (if (%any-null? xss)
            (reverse acc)
            (loop (%map1 cdr xss) (cons (apply f (%map1 car xss)) acc))))))

(define (%map1 f xs)
  (let loop ((xs xs) (acc '()))
    (if (null? xs) (reverse acc) (loop (cdr xs) (cons (f (car xs)) acc)))))

(define (%any-null? xss)
  (cond ((null? xss) #f) ((null? (car xss)) #t) (else (%any-null? (cdr xss)))))

(defn filter
  "The items of xs for which pred returns true, as a list."
  [pred xs]
  (let loop ((xs (seq->list xs)) (acc '()))
    (cond ((null? xs) (reverse acc))
          ((pred (car xs)) (loop (cdr xs) (cons (car xs) acc)))
          (else (loop (cdr xs) acc)))))

(defn remove
  "The items of xs for which pred returns false, as a list."
  [pred xs]
  (filter (lambda (x) (not (pred x))) xs))

(defn reduce
  "Folds xs with f: (reduce f xs init) or (reduce f xs), the collection before the initial value."
  [f xs & init]
  (if (not (%collection? xs))
      (error (if (and (not (null? init)) (%collection? (car init)))
                 (str "reduce: the collection comes before the initial value in Skein: (reduce f xs init), not Clojure's (reduce f init xs); got " (format "~s" xs) " where the collection goes")
                 (str "reduce: expected a collection as the second argument, as in (reduce f xs init), got " (format "~s" xs))))
      (let ((items (seq->list xs)))
        (if (null? init)
            (if (null? items) (f) (%fold f (car items) (cdr items)))
            (%fold f (car init) items)))))

(define (%collection? x)
  (or (list? x) (vector? x) (map? x) (string? x) (nil? x)))

(define (%fold f acc xs)
  (if (null? xs) acc (%fold f (f acc (car xs)) (cdr xs))))

(defn for-each
  "Calls f on each item (of one or more lists) for its effects; returns nil."
  [f xs & more]
  (if (null? more)
      (let loop ((xs (seq->list xs)))
        (unless (null? xs) (f (car xs)) (loop (cdr xs))))
      (apply map f xs more))
  nil)

(defn some
  "The first true result of pred on the items, or nil."
  [pred xs]
  (let loop ((xs (seq->list xs)))
    (if (null? xs) nil (or (pred (car xs)) (loop (cdr xs))))))

(defn every?
  "True when pred is true for every item (and for no items)."
  [pred xs]
  (let loop ((xs (seq->list xs)))
    (cond ((null? xs) #t) ((pred (car xs)) (loop (cdr xs))) (else #f))))

(defn sort
  "Sorts numbers or strings ascending, or by a less-than function: (sort xs <)."
  [xs & less]
  (if (null? less)
      (%sort-natural xs)
      (%merge-sort (car less) (seq->list xs))))

(define (%merge-sort less xs)
  (if (or (null? xs) (null? (cdr xs)))
      xs
      (let* ((half (quotient (length xs) 2))
             (a (%merge-sort less (take half xs)))
             (b (%merge-sort less (drop half xs))))
        (let loop ((a a) (b b) (acc '()))
          (cond ((null? a) (append (reverse acc) b))
                ((null? b) (append (reverse acc) a))
                ((less (car b) (car a)) (loop a (cdr b) (cons (car b) acc)))
                (else (loop (cdr a) b (cons (car a) acc))))))))

(defn sort-by
  "Sorts the items by (keyfn item), numbers or strings ascending; stable."
  [keyfn xs & less]
  (let ((cmp (if (null? less) (lambda (a b) (< (compare a b) 0)) (car less))))
    (%map1 cadr (%merge-sort (lambda (a b) (cmp (car a) (car b)))
                             (%map1 (lambda (x) (list (keyfn x) x)) (seq->list xs))))))

(define (cadr xs) (car (cdr xs)))

(defn group-by
  "A map from (f item) to the list of items with that key, keys in first-seen order."
  [f xs]
  (let loop ((xs (seq->list xs)) (m {}))
    (if (null? xs)
        (reduce (lambda (acc k) (assoc acc k (reverse (map-get acc k)))) (keys m) m)
        (let ((k (f (car xs))))
          (loop (cdr xs) (assoc m k (cons (car xs) (map-get m k '()))))))))

(defn update
  "Returns m with the value at k replaced by (f old args...)."
  [m k f & args]
  (assoc m k (apply f (map-get m k) args)))

(defn assoc-in
  "Returns m with the value at the path of keys (and vector indices) set to v; a missing step becomes a map, as in Clojure."
  [m path v]
  (let ((ks (seq->list path)))
    (if (null? ks)
        (error "assoc-in: the path must name at least one key")
        (if (null? (cdr ks))
            (assoc m (car ks) v)
            (assoc m (car ks) (assoc-in (get m (car ks)) (cdr ks) v))))))

(defn update-in
  "Returns m with the value at the path of keys replaced by (f old args...); a missing step becomes a map, as in Clojure."
  [m path f & args]
  (let ((ks (seq->list path)))
    (if (null? ks)
        (error "update-in: the path must name at least one key")
        (if (null? (cdr ks))
            (assoc m (car ks) (apply f (get m (car ks)) args))
            (assoc m (car ks) (apply update-in (get m (car ks)) (cdr ks) f args))))))

(define (%job-resume job)
  ;; a builtin's long work goes on here after its slice ended: entering this function is where
  ;; the task is preempted (and may be cancelled) between slices; see src/lib/jobs.ts
  (%job-continue job))

(defn %atom-swap-cas!
  "atom-swap! for functions that may block or be preempted: compare-and-set, retried until it holds."
  [a f & args]
  (let loop ()
    (let* ((old (atom-deref a))
           (new (apply f old args)))
      (if (atom-compare-and-set! a old new) new (loop)))))

;; a unique object (a fresh list, compared with eq?): loading the prelude calls no function, so a
;; script that redefines a builtin before the prelude loads cannot change what it defines
(define %closed (quote (channel closed)))

(defn channel->list
  "Receives from the channel until it is closed and drained; returns the values as a list."
  [ch]
  (let loop ((acc '()))
    (let ((v (%channel-recv-or ch %closed)))
      (if (eq? v %closed) (reverse acc) (loop (cons v acc))))))

(defn partial
  "A function that calls f with the given arguments followed by its own."
  [f & args]
  (lambda more (apply f (append args more))))

(defn comp
  "The composition of the functions, applied right to left."
  [& fs]
  (if (null? fs)
      identity
      (let ((rfs (reverse fs)))
        (lambda args
          (let loop ((fs (cdr rfs)) (v (apply (car rfs) args)))
            (if (null? fs) v (loop (cdr fs) ((car fs) v))))))))

(defn constantly
  "A function that ignores its arguments and returns x."
  [x]
  (lambda args x))

(defn complement
  "A function returning the logical opposite of f."
  [f]
  (lambda args (not (apply f args))))

(defn load
  "Reads and runs every form of a Skein file."
  [path]
  (for-each %eval-form (%read-file-forms path)))

;; ---- endless sources: channels filled as they are read (see %endless in lib/concurrency.ts) ----

(define (%fill-with ch next view x)
  ;; sends (view x), (view (next x)), ... until the channel is closed; an error is the last item
  (try
    (let loop ((x x))
      (if (eq? (channel-send ch (view x)) #t) (loop (next x)) nil))
    (catch e (channel-send ch e))))

(defn iterate
  "An endless source: a channel of x, (f x), (f (f x)) ..., computed as they are read (at most one ahead). Take from it with (take n src), or feed it to stream-map; an error in f arrives as the last item."
  [f x]
  (%endless (lambda (ch) (%fill-with ch f identity x))))

(defn repeat
  "(repeat x): an endless source of x (a channel, for take and stream-map). (repeat n x): a list of n times x."
  [& args]
  (cond ((= (length args) 1) (%endless (lambda (ch) (%fill-with ch identity identity (car args)))))
        ((= (length args) 2)
         (if (integer? (car args))
             (%map1 (constantly (cadr args)) (range (car args)))
             (error (str "repeat: expected an integer count, got " (format "~s" (car args))))))
        (else (error "repeat: expected (repeat x) or (repeat n x)"))))

(defn cycle
  "An endless source of the items of xs, over and over (a channel, for take and stream-map); closed at once when xs is empty."
  [xs]
  (let ((items (seq->list xs)))
    (%endless (lambda (ch)
                (if (null? items)
                    nil
                    (%fill-with ch (lambda (p) (if (null? (cdr p)) items (cdr p))) car items))))))

(define (%take-channel n ch)
  ;; (take n src) of a channel: up to n values, fewer when it closes first
  (let loop ((n n) (acc '()))
    (if (<= n 0)
        (reverse acc)
        (let ((v (%channel-recv-or ch %closed)))
          (if (eq? v %closed) (reverse acc) (loop (- n 1) (cons v acc)))))))

;; ---- files ----

(defn parallel-grep
  "The lines of the files that match the pattern (a regex, as for regex-match), as {:file :line :text} maps in the order of paths and then of lines (from 1); the files are read concurrently, through read-file (so the sandbox's read grants apply). When a file cannot be read, the result is an error value naming it, with the matches of the others under :matches and {:file :error} of each failure under :failed."
  [pattern paths]
  (%grep-text pattern "" "")
  (let* ((files (seq->list paths))
         (found (parallel-map (lambda (f)
                                (let ((text (read-file f)))
                                  (if (error? text) text (%grep-text pattern f text))))
                              files)))
    (let loop ((fs (reverse files)) (rs (reverse found)) (matches '()) (failed '()))
      (cond ((null? rs)
             (if (null? failed)
                 matches
                 (make-error (str "parallel-grep: " (length failed) " of " (length files)
                                  " files could not be read; the first: " (error-msg (car failed)))
                             {:matches matches
                              :failed (%map1 (lambda (e) {:file (map-get (error-data e) :file) :error (error-msg e)})
                                             failed)})))
            ((error? (car rs))
             (loop (cdr fs) (cdr rs) matches
                   (cons (make-error (error-msg (car rs)) {:file (car fs)}) failed)))
            (else (loop (cdr fs) (cdr rs) (append (car rs) matches) failed))))))
