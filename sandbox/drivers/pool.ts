/**
 * Keeps a few sandboxes started ahead of time, so a learner's "start lab" takes one that is ready
 * instead of waiting for namespaces, cgroups and the home folder. Works with any driver. A pooled
 * sandbox is only handed out for the limits it was made with.
 */
import type { LabLimits } from '../../wire/lab-api.ts';
import type { DriverLog, Sandbox, SandboxDriver } from './types.ts';

export class WarmPool implements SandboxDriver {
  readonly name: SandboxDriver['name'];
  private readonly driver: SandboxDriver;
  private readonly size: number;
  private readonly log: DriverLog;
  private readonly ready: Sandbox[] = [];
  private limits: LabLimits | null = null;
  private filling = 0;
  private closed = false;

  constructor(driver: SandboxDriver, size: number, log: DriverLog) {
    this.driver = driver;
    this.size = size;
    this.log = log;
    this.name = driver.name;
  }

  async create(limits: LabLimits): Promise<Sandbox> {
    if (!this.limits || JSON.stringify(limits) !== JSON.stringify(this.limits)) {
      // First use, or new limits: what the pool holds was made for others.
      this.limits = limits;
      for (const stale of this.ready.splice(0)) void stale.destroy();
    }
    const sandbox = this.ready.shift() ?? (await this.driver.create(limits));
    this.refill();
    return sandbox;
  }

  private refill(): void {
    while (!this.closed && this.limits && this.ready.length + this.filling < this.size) {
      this.filling++;
      const limits = this.limits;
      this.driver
        .create(limits)
        .then((sandbox) => {
          if (this.closed || limits !== this.limits) return void sandbox.destroy();
          this.ready.push(sandbox);
          // One that dies while it waits is dropped and replaced, never handed out.
          void sandbox.ended.then(() => {
            const index = this.ready.indexOf(sandbox);
            if (index < 0) return; // handed out already: its new owner watches it
            this.ready.splice(index, 1);
            void sandbox.destroy();
            this.refill();
          });
        })
        .catch((err: unknown) => this.log.error({ err }, 'warm pool: could not start a sandbox'))
        .finally(() => this.filling--);
    }
  }

  removeOrphans(): Promise<number> {
    return this.driver.removeOrphans();
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.filling > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all(this.ready.splice(0).map((sandbox) => sandbox.destroy()));
    await this.driver.close();
  }
}
