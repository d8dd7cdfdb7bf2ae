/** A process (or group of processes) whose CPU time a benchmark reports per operation. */
export interface CpuSource {
  readonly name: string;
  /** Cumulative CPU seconds; only differences between two reads are used. */
  read(): Promise<number>;
}
