/* Times and day separators in the reader's zone and language. */

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: "short" });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const fullDate = new Intl.DateTimeFormat(undefined, {
  day: "numeric",
  month: "short",
  year: "numeric",
});
const longForm = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
const longDay = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });
const longDayOfYear = new Intl.DateTimeFormat(undefined, { dateStyle: "full" });

function sameDay(a, b) {
  return a.toDateString() === b.toDateString();
}

function isYesterday(date, now) {
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  return sameDay(date, yesterday);
}

function formatMoment(date, style) {
  const now = new Date();
  // In a conversation the day separators carry the date.
  if (style === "time") return timeOnly.format(date);
  if (sameDay(date, now)) return timeOnly.format(date);
  if (isYesterday(date, now)) return "Yesterday";
  if (now - date < 6 * 24 * 3600 * 1000) return weekday.format(date);
  if (date.getFullYear() === now.getFullYear()) return dayMonth.format(date);
  return fullDate.format(date);
}

export function localizeTimes(root) {
  if (!root || !root.querySelectorAll) return;
  root.querySelectorAll("time[datetime]").forEach(function (element) {
    const date = new Date(element.getAttribute("datetime"));
    if (isNaN(date)) return;
    element.textContent = formatMoment(date, element.dataset.format);
    element.title = longForm.format(date);
  });
}

function dayName(date) {
  const now = new Date();
  if (sameDay(date, now)) return "Today";
  if (isYesterday(date, now)) return "Yesterday";
  return date.getFullYear() === now.getFullYear() ? longDay.format(date) : longDayOfYear.format(date);
}

// Rebuilt whole after every change to the list: rows arrive at both ends, and the
// reader's day boundaries are known only here. The server drew the first ones in the
// zone this page stored in a cookie, so on load this changes labels, not the layout.
export function separateDays(list) {
  list.querySelectorAll("li.day-separator").forEach(function (element) {
    element.remove();
  });
  let previous = null;
  list.querySelectorAll("li.message").forEach(function (row) {
    const time = row.querySelector("time[datetime]");
    const date = time ? new Date(time.getAttribute("datetime")) : new Date(); // pending: now
    if (isNaN(date)) return;
    if (!previous || !sameDay(previous, date)) {
      const separator = document.createElement("li");
      separator.className = "day-separator";
      const label = document.createElement("span");
      label.textContent = dayName(date);
      separator.append(label);
      row.before(separator);
    }
    previous = date;
  });
}
