/**
 * libtensorflow writes info lines to stderr while it loads, before its logging reads
 * TF_CPP_MIN_LOG_LEVEL (absl's pre-initialization logging: "oneDNN custom operations are on…").
 * The trainer asks for errors only (level 2, src/trainer/tfjs-node-loader.ts), so the client drops
 * TensorFlow's info and warning lines where it reads the child's stderr; everything else passes, as
 * whole lines.
 */
const PRE_INIT_NOTICE = /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/;
/** glog's prefix: severity, date, time, thread, file:line. */
const INFO_OR_WARNING = /^[IW]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] /;

export class NativeLogFilter {
  private partial = '';

  /** The whole lines of this chunk (with what was left of the last one) that are kept. */
  push(text: string): string {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    return lines
      .filter(kept)
      .map((line) => `${line}\n`)
      .join('');
  }

  /** An unfinished last line, at exit. */
  flush(): string {
    const rest = this.partial;
    this.partial = '';
    return kept(rest) ? rest : '';
  }
}

function kept(line: string): boolean {
  return !PRE_INIT_NOTICE.test(line) && !INFO_OR_WARNING.test(line);
}
