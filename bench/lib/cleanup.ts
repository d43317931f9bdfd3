// Everything the benchmark starts registers how to undo it here; undo runs in reverse
// order, once, whether the run finished, threw, or was interrupted.

export class Cleanup {
  private readonly steps: { what: string; fn: () => Promise<void> | void }[] = [];
  private ran: Promise<void> | undefined;

  add(what: string, fn: () => Promise<void> | void): void {
    this.steps.push({ what, fn });
  }

  run(): Promise<void> {
    this.ran ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.fn();
        } catch (e) {
          console.error(`cleanup: ${step.what} failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    })();
    return this.ran;
  }
}
