import type { Page } from 'playwright-core';

/** The demo contact form's minimum fill time is the default 3 s: a person takes longer, tests wait it out. */
const personFillMs = 3_300;

/**
 * Fills and sends the demo site's contact form (Nurture's embeddable form, forms/contact.yaml) as a person
 * would, on a page that has just navigated to /contact.html, and waits for its thank-you message.
 */
export async function sendContactForm(page: Page, who: { name: string; email: string; company: string; message: string }): Promise<void> {
  const opened = Date.now();
  await page.waitForSelector('#contact-form form');
  await page.fill('#contact-form input[name="name"]', who.name);
  await page.fill('#contact-form input[name="email"]', who.email);
  await page.fill('#contact-form input[name="company"]', who.company);
  await page.fill('#contact-form textarea[name="message"]', who.message);
  await page.waitForTimeout(Math.max(0, personFillMs - (Date.now() - opened)));
  await page.click('#contact-form .nurture-form__submit');
  await page.waitForFunction(() => (document.querySelector('#contact-form .nurture-form__success')?.textContent ?? '').includes('Thank you'));
}
