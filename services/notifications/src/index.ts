export { createNotificationsService, notificationsService } from "./main.js";
