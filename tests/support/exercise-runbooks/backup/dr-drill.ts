import { drill } from "./_drill.ts";

export default drill("dr-drill", "Disaster-recovery drill (fixture)");
