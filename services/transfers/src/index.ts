export { transfersService, createTransfersService, type TransfersServiceOptions } from "./main.js";
export { entryIdFor } from "./entry-id-for.js";
