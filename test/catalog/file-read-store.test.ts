/** The storage seam's contract on the file catalog. */

import { FileReadStore } from "../../src/catalog/file-read-store.ts";
import { readStoreContract } from "../api/read-store.contract.ts";

readStoreContract("file catalog", async (projectsDir) => new FileReadStore({ projectsDir }));
