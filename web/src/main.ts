// Entry point: styles, routes, start.
import "./styles.css";
import { adminPage } from "./pages/admin";
import { homePage } from "./pages/home";
import { studioPage } from "./pages/studio";
import { watchPage } from "./pages/watch";
import { route, start } from "./router";

route("/", "home", homePage);
route("/watch/:id", "home", watchPage);
route("/studio", "studio", studioPage);
route("/studio/:id", "studio", studioPage);
route("/admin", "admin", adminPage);
start();
