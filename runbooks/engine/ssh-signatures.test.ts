import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findPrincipals,
  NAMESPACES,
  SignatureError,
  signMessage,
  verifySignature,
} from "./ssh-signatures.ts";

// Real keys from ssh-keygen, made for this test and removed after it.
let dir = "";
let allowed = "";
const key = (name: string) => path.join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "sshsig-test-"));
  for (const name of ["alice", "bob", "mallory"])
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key(name)]);
  const pub = async (name: string) => (await readFile(`${key(name)}.pub`, "utf8")).trim();
  allowed = key("allowed_signers");
  await writeFile(
    allowed,
    `alice ${await pub("alice")}\nbob namespaces="${NAMESPACES.consoleLogin}" ${await pub("bob")}\n`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("SSH signatures", () => {
  it("verifies the signer's own signature and names the principal", async () => {
    const signature = await signMessage(key("alice"), NAMESPACES.approval, "receipt 1");
    await verifySignature({
      allowedSigners: allowed,
      principal: "alice",
      namespace: NAMESPACES.approval,
      message: "receipt 1",
      signature,
    });
    expect(await findPrincipals(allowed, NAMESPACES.approval, signature)).toEqual(["alice"]);
  });

  it("refuses another message, another principal, another namespace and an unlisted key", async () => {
    const signature = await signMessage(key("alice"), NAMESPACES.approval, "receipt 1");
    const base = { allowedSigners: allowed, principal: "alice", namespace: NAMESPACES.approval, signature };
    await expect(verifySignature({ ...base, message: "receipt 2" })).rejects.toThrow(SignatureError);
    await expect(verifySignature({ ...base, message: "receipt 1", principal: "bob" })).rejects.toThrow(
      /does not verify for "bob"/,
    );
    await expect(
      verifySignature({ ...base, message: "receipt 1", namespace: NAMESPACES.consoleLogin }),
    ).rejects.toThrow(SignatureError);
    // bob's key is allowed only for console sign-in, not approvals.
    const bobs = await signMessage(key("bob"), NAMESPACES.approval, "receipt 1");
    await expect(
      verifySignature({ ...base, principal: "bob", message: "receipt 1", signature: bobs }),
    ).rejects.toThrow(SignatureError);
    const mallorys = await signMessage(key("mallory"), NAMESPACES.approval, "receipt 1");
    expect(await findPrincipals(allowed, NAMESPACES.approval, mallorys)).toEqual([]);
    await expect(verifySignature({ ...base, message: "receipt 1", signature: "hello" })).rejects.toThrow(
      /not an SSH signature/,
    );
  });
});
