import { describe, expect, it } from "vitest";

import { SseParser } from "@/lib/sse";

function feedAll(chunks: string[]) {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

describe("SseParser", () => {
  const stream = 'event: start\r\ndata: {"conversation_id":1}\r\n\r\n: keep-alive\r\n\r\nevent: delta\r\ndata: {"text":"Hi"}\r\n\r\n';
  const expected = [
    { event: "start", data: '{"conversation_id":1}' },
    { event: "delta", data: '{"text":"Hi"}' },
  ];

  it("reads whole messages and skips comments", () => {
    expect(feedAll([stream])).toEqual(expected);
  });

  it("gives the same messages however the stream is cut into chunks, even inside \\r\\n", () => {
    for (let size = 1; size <= 7; size++) {
      const chunks = stream.match(new RegExp(`[\\s\\S]{1,${size}}`, "g"))!;
      expect(feedAll(chunks)).toEqual(expected);
    }
  });

  it("accepts \\n line ends, joins data lines and defaults the event name", () => {
    expect(feedAll(["data: a\ndata: b\n\n", "event:done\ndata:{}\n\n"])).toEqual([
      { event: "message", data: "a\nb" },
      { event: "done", data: "{}" },
    ]);
  });

  it("keeps an unfinished message until its blank line arrives", () => {
    const parser = new SseParser();
    expect(parser.feed('event: delta\ndata: {"text":"x"}\n')).toEqual([]);
    expect(parser.feed("\n")).toEqual([{ event: "delta", data: '{"text":"x"}' }]);
  });
});
