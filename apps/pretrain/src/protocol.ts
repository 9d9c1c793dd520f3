// The generator → trainer gRPC protocol: server and client of `GetExamples(max) → repeated bytes`
// (example_service.proto). Ports language/realm/preprocessing.py (server) and the trainer's
// dataset_from_preprocessors (client); malformed requests get INVALID_ARGUMENT, never a crash.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const EXAMPLE_SERVICE_PROTO = fileURLToPath(new URL('./example_service.proto', import.meta.url));
/** Full method path, for raw clients and logs. */
export const GET_EXAMPLES_METHOD = '/realm.pretrain.ExampleGenerator/GetExamples';
/** Largest batch one call may ask for (bounds the reply size). */
export const MAX_EXAMPLES_PER_CALL = 4096;
/** Longest long-poll a call may ask for. */
export const MAX_WAIT_MS = 60_000;

export interface GetExamplesRequest {
  max: number;
  wait_ms: number;
}

export interface GetExamplesResponse {
  examples: Uint8Array[];
  mode: string;
  index_timestamp: number;
}

/** What a server serves: takes up to `max` serialized examples, waiting at most `waitMs`. */
export interface ExampleSource {
  mode: string;
  take(max: number, waitMs: number): Promise<Uint8Array[]>;
  indexTimestamp(): number;
}

interface ServiceDefinitionHolder {
  realm: { pretrain: { ExampleGenerator: grpc.ServiceClientConstructor } };
}

let loaded: ServiceDefinitionHolder | undefined;
function serviceDefinition(): ServiceDefinitionHolder {
  loaded ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(EXAMPLE_SERVICE_PROTO, { longs: Number, defaults: true, keepCase: true }),
  ) as unknown as ServiceDefinitionHolder;
  return loaded;
}

/** Checks a decoded request; returns an error message or null. */
export function validateGetExamplesRequest(request: Partial<GetExamplesRequest> | null | undefined): string | null {
  if (!request) return 'GetExamples: empty request';
  const { max, wait_ms: waitMs } = request;
  if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > MAX_EXAMPLES_PER_CALL) {
    return `GetExamples: max must be an integer in [1, ${MAX_EXAMPLES_PER_CALL}], got ${String(max)}`;
  }
  if (!Number.isInteger(waitMs) || (waitMs as number) < 0 || (waitMs as number) > MAX_WAIT_MS) {
    return `GetExamples: wait_ms must be an integer in [0, ${MAX_WAIT_MS}], got ${String(waitMs)}`;
  }
  return null;
}

export interface RunningServer {
  /** The bound port (useful with port 0). */
  port: number;
  address: string;
  close(): Promise<void>;
}

/** Serves `source` over plaintext gRPC on host:port (127.0.0.1 unless told otherwise). */
export async function startExampleServer(source: ExampleSource, options: { host?: string; port: number }): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = new grpc.Server();
  const service = serviceDefinition().realm.pretrain.ExampleGenerator.service;
  server.addService(service, {
    GetExamples: (call: grpc.ServerUnaryCall<GetExamplesRequest, GetExamplesResponse>, callback: grpc.sendUnaryData<GetExamplesResponse>) => {
      const problem = validateGetExamplesRequest(call.request);
      if (problem) {
        callback({ code: grpc.status.INVALID_ARGUMENT, details: problem });
        return;
      }
      source
        .take(call.request.max, call.request.wait_ms)
        .then((examples) => callback(null, { examples, mode: source.mode, index_timestamp: source.indexTimestamp() }))
        .catch((error: unknown) => callback({ code: grpc.status.INTERNAL, details: `GetExamples: ${(error as Error).message}` }));
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(new Error(`example server: cannot bind ${host}:${options.port}: ${error.message}`)) : resolve(bound)));
  });
  return {
    port,
    address: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Calls parked in a long-poll would hold tryShutdown; force after a moment.
        setTimeout(() => { server.forceShutdown(); resolve(); }, 500).unref();
      }),
  };
}

/** A trainer-side client of one generator. */
export class ExampleClient {
  private readonly client: grpc.Client & {
    GetExamples(request: GetExamplesRequest, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: GetExamplesResponse) => void): void;
  };

  constructor(readonly address: string) {
    const Ctor = serviceDefinition().realm.pretrain.ExampleGenerator;
    this.client = new Ctor(address, grpc.credentials.createInsecure(), {
      // Reconnect quickly when a generator comes back after a restart.
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
      'grpc.max_receive_message_length': 512 * 1024 * 1024,
    }) as unknown as ExampleClient['client'];
  }

  /** Up to `max` serialized examples; rejects with the gRPC error when the call fails. */
  getExamples(max: number, waitMs: number, deadlineMs = waitMs + 10_000): Promise<GetExamplesResponse> {
    return new Promise((resolve, reject) => {
      this.client.GetExamples({ max, wait_ms: waitMs }, { deadline: Date.now() + deadlineMs }, (error, response) => {
        if (error) reject(error);
        else resolve({ examples: (response?.examples ?? []).map((b) => new Uint8Array(b)), mode: response?.mode ?? '', index_timestamp: Number(response?.index_timestamp ?? 0) });
      });
    });
  }

  close(): void {
    this.client.close();
  }
}
