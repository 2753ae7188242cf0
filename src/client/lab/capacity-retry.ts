/**
 * "Try again (20 s)" when the server has no lab to spare (429/503 capacity) or cannot be reached:
 * capacity frees up as other labs end, so the button also fires by itself when the count reaches
 * zero. Disposing it (a lab started some other way, the lab app gone) stops the count for good.
 */
import { Disposable, every } from './disposable.ts';
import { button } from './panel.ts';

const SECONDS = 20;

export class CapacityRetry extends Disposable {
  readonly button: HTMLButtonElement;

  constructor(retry: () => void) {
    super();
    let seconds = SECONDS;
    const fire = () => {
      this.dispose();
      retry();
    };
    this.button = button(`Try again (${seconds} s)`, fire);
    this.register(
      every(1000, () => {
        seconds -= 1;
        this.button.textContent = `Try again (${seconds} s)`;
        if (seconds <= 0) fire();
      }),
    );
  }
}
