const cleanups = new Set<() => Promise<void>>();
let installed = false;

/**
 * Runs `cleanup` if the drill is interrupted (Ctrl-C, SIGTERM) before the returned function is
 * called, then exits with 130: private servers and service processes must not outlive the drill.
 */
export function whenInterrupted(cleanup: () => Promise<void>): () => void {
  if (!installed) {
    installed = true;
    const interrupt = () => {
      console.error("\ninterrupted: stopping the drill's processes and servers");
      void Promise.allSettled([...cleanups].map((step) => step())).then(() => process.exit(130));
    };
    process.once("SIGINT", interrupt);
    process.once("SIGTERM", interrupt);
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
