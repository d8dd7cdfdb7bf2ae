export { entryIdFor } from "./entry-id-for.js";
export { createTransfersService, type TransfersServiceOptions, transfersService } from "./main.js";
