export { type BuildConsoleOptions, type BuiltConsole, buildConsole } from "./build-console.js";
export { type ConsoleServer, type ConsoleServerOptions, createConsoleServer } from "./create-console-server.js";
