/** The service's notion of now: limits' UTC day and month and every timestamp come from it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
