/** The service's notion of now: voting windows, timelocks and every timestamp come from it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
