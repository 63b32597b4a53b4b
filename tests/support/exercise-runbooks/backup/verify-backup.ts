import { drill } from "./_drill.ts";

export default drill("verify-backup", "Verify a backup (fixture)");
