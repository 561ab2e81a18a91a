// The process's output. A script writes to file descriptors 1 and 2 directly: creating
// process.stdout loads Node's stream modules (about 3 ms of a 60 ms start-up), and direct writes
// leave nothing to flush at exit. A non-blocking pipe that is full (EAGAIN) switches that
// descriptor to its Node stream for the rest of the run, so the order of the output is kept.
import { writeSync } from "node:fs";

type Fd = 1 | 2;
const viaStream: Record<Fd, boolean> = { 1: false, 2: false };

function stream(fd: Fd): NodeJS.WriteStream {
  return fd === 1 ? process.stdout : process.stderr;
}

/** Writes the text to stdout (1) or stderr (2). A closed stdout (skein x.lisp | head -1) ends
 *  the program quietly; a closed stderr loses the text. */
export function emit(fd: Fd, text: string): void {
  if (viaStream[fd]) {
    stream(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EAGAIN") {
      useStreams(fd);
      stream(fd).write(bytes.subarray(done));
      return;
    }
    if (code === "EPIPE") {
      if (fd === 1) process.exit(0);
      return;
    }
    throw e;
  }
}

/** From now on this descriptor is written through its Node stream (the REPL's readline uses it). */
export function useStreams(fd: Fd): void {
  if (viaStream[fd]) return;
  viaStream[fd] = true;
  if (fd === 1)
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  else
    process.stderr.on("error", () => {
      /* a closed stderr loses the text */
    });
}

/** Ends the process with the code once the output written through streams is flushed. */
export function exitAfterOutput(code: number): void {
  process.exitCode = code;
  const streams = ([1, 2] as const).filter((fd) => viaStream[fd]).map(stream);
  let left = streams.length;
  if (left === 0) process.exit(code);
  for (const st of streams)
    st.write("", () => {
      if (--left === 0) process.exit(code);
    });
}
