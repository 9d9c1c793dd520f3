// TensorBoard event files: scalar summaries written as TFRecords of tensorflow.Event protos, so
// `tensorboard --logdir DIR` plots realm-ts metrics. Ports the writer side of
// tensorflow/core/util/events_writer.cc (file name events.out.tfevents.<secs>.<host>, first record
// a file_version "brain.Event:2" event) with the message subset of event.proto / summary.proto.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import protobuf from 'protobufjs';
import { TfRecordWriter, readTfRecords } from '../tfrecord/record-file.js';

/** Fields of tensorflow/core/util/event.proto and framework/summary.proto that scalars use. */
export const TF_EVENT_PROTO = `
syntax = "proto3";
package tensorflow;
message SummaryValue {
  string node_name = 7;
  string tag = 1;
  float simple_value = 2;
}
message Summary {
  repeated SummaryValue value = 1;
}
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
  }
}
`;

const root = protobuf.parse(TF_EVENT_PROTO, { keepCase: true }).root;
root.resolveAll();
const EventType = root.lookupType('tensorflow.Event');

/** One decoded event (the subset above). */
export interface TfEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: Record<string, number>;
}

export function encodeEvent(event: TfEvent): Uint8Array {
  const message: Record<string, unknown> = { wall_time: event.wallTime, step: event.step };
  if (event.fileVersion !== undefined) message.file_version = event.fileVersion;
  if (event.scalars !== undefined) {
    message.summary = { value: Object.entries(event.scalars).map(([tag, value]) => ({ tag, simple_value: value })) };
  }
  return EventType.encode(EventType.fromObject(message)).finish();
}

export function decodeEvent(payload: Uint8Array): TfEvent {
  const message = EventType.toObject(EventType.decode(payload), { longs: Number, defaults: false }) as {
    wall_time?: number;
    step?: number;
    file_version?: string;
    summary?: { value?: Array<{ tag?: string; simple_value?: number }> };
  };
  const event: TfEvent = { wallTime: message.wall_time ?? 0, step: message.step ?? 0 };
  if (message.file_version !== undefined) event.fileVersion = message.file_version;
  if (message.summary !== undefined) {
    event.scalars = Object.fromEntries((message.summary.value ?? []).map((v) => [v.tag ?? '', v.simple_value ?? 0]));
  }
  return event;
}

/** Appends scalar summaries to a new events.out.tfevents.* file in `logDir`. */
export class EventFileWriter {
  private constructor(
    readonly path: string,
    private readonly writer: TfRecordWriter,
    private readonly now: () => number,
  ) {}

  /** Creates the file and writes the file_version record TensorBoard expects first. */
  static async open(logDir: string, options: { now?: () => number; host?: string } = {}): Promise<EventFileWriter> {
    const now = options.now ?? (() => Date.now() / 1000);
    const wallTime = now();
    await mkdir(logDir, { recursive: true });
    const path = join(logDir, `events.out.tfevents.${Math.floor(wallTime)}.${options.host ?? hostname()}`);
    const writer = await TfRecordWriter.open(path, {});
    const events = new EventFileWriter(path, writer, now);
    await writer.write(encodeEvent({ wallTime, step: 0, fileVersion: 'brain.Event:2' }));
    return events;
  }

  /** Writes one event holding every scalar of `values` at `step`. */
  async scalars(step: number, values: Record<string, number>): Promise<void> {
    if (!Number.isInteger(step) || step < 0) throw new Error(`EventFileWriter: step must be a non-negative integer, got ${step}`);
    await this.writer.write(encodeEvent({ wallTime: this.now(), step, scalars: values }));
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}

/** Reads every event of an event file (for tests and tools). */
export async function readEventFile(path: string): Promise<TfEvent[]> {
  const events: TfEvent[] = [];
  for await (const payload of readTfRecords(path)) events.push(decodeEvent(payload));
  return events;
}
