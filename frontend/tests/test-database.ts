/** A fresh PostgreSQL database per test file (CI exports TEST_DATABASE_URL), reached through a cuttable link. */
import { randomBytes } from "node:crypto";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

import { Client } from "pg";

export const serverUrl = process.env.TEST_DATABASE_URL;

/** Runs one statement on TEST_DATABASE_URL's server (creating or dropping a test's own database). */
export async function onServer(statement: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A TCP relay between the app and PostgreSQL: cut() drops every connection and refuses new ones, as a database
 * restart or a lost network does, without touching the shared server.
 */
export class DatabaseLink {
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  readonly name = `todo_frontend_${randomBytes(4).toString("hex")}`;

  /** Creates the database and returns the URL to reach it through the link. */
  async open(): Promise<string> {
    await onServer(`CREATE DATABASE ${this.name}`);
    const target = new URL(serverUrl!);
    this.server = createServer((client) => {
      const upstream = createConnection(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("error", () => socket.destroy());
        socket.on("close", () => this.sockets.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const url = new URL(serverUrl!);
    url.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    url.pathname = `/${this.name}`;
    return url.toString();
  }

  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async drop(): Promise<void> {
    await this.cut();
    await onServer(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
  }
}
