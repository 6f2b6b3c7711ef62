/** .NET custom date/time format strings (UTC), for FormatDateTime. */

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Splits a format into runs of one pattern letter, quoted literals and other characters. */
function tokens(format: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < format.length; ) {
    const c = format[i]!;
    if (c === "'" || c === '"') {
      const end = format.indexOf(c, i + 1);
      const stop = end < 0 ? format.length : end;
      out.push(`'${format.slice(i + 1, stop)}`);
      i = stop + 1;
    } else if (c === '\\') {
      out.push(`'${format[i + 1] ?? ''}`);
      i += 2;
    } else if (/[yMdHhmsfFtzK]/.test(c)) {
      let j = i;
      while (format[j] === c) j++;
      out.push(format.slice(i, j));
      i = j;
    } else {
      out.push(`'${c}`);
      i++;
    }
  }
  return out;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function formatDotNet(d: Date, format: string): string {
  return tokens(format)
    .map((t) => {
      if (t.startsWith("'")) return t.slice(1);
      const c = t[0]!;
      const w = t.length;
      switch (c) {
        case 'y': return w === 2 ? pad(d.getUTCFullYear() % 100, 2) : w === 1 ? String(d.getUTCFullYear() % 100) : pad(d.getUTCFullYear(), w);
        case 'M': return w >= 4 ? months[d.getUTCMonth()]! : w === 3 ? months[d.getUTCMonth()]!.slice(0, 3) : pad(d.getUTCMonth() + 1, w);
        case 'd': return w >= 4 ? days[d.getUTCDay()]! : w === 3 ? days[d.getUTCDay()]!.slice(0, 3) : pad(d.getUTCDate(), w);
        case 'H': return pad(d.getUTCHours(), Math.min(w, 2));
        case 'h': return pad(d.getUTCHours() % 12 || 12, Math.min(w, 2));
        case 'm': return pad(d.getUTCMinutes(), Math.min(w, 2));
        case 's': return pad(d.getUTCSeconds(), Math.min(w, 2));
        case 'f': case 'F': {
          const frac = pad(d.getUTCMilliseconds(), 3).padEnd(7, '0').slice(0, w);
          return c === 'F' ? frac.replace(/0+$/, '') : frac;
        }
        case 't': return (d.getUTCHours() < 12 ? 'AM' : 'PM').slice(0, w);
        case 'z': return w >= 3 ? '+00:00' : w === 2 ? '+00' : '+0';
        case 'K': return 'Z';
        default: return t;
      }
    })
    .join('');
}

/** Parses `text` with a .NET format; returns null when it does not match. */
export function parseDotNet(text: string, format: string): Date | null {
  let re = '^';
  const fields: string[] = [];
  for (const t of tokens(format)) {
    if (t.startsWith("'")) { re += t.slice(1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); continue; }
    const c = t[0]!;
    fields.push(t);
    if (c === 'M' && t.length >= 3) re += '([A-Za-z]+)';
    else if (c === 'f' || c === 'F') re += `(\\d{0,${t.length}})`;
    else if (c === 't') re += '([AaPp][Mm]?)';
    else if (c === 'z' || c === 'K') re += '(Z|[+-]\\d{1,2}(?::?\\d{2})?)?';
    else if (c === 'y' && t.length >= 3) re += `(\\d{${t.length}})`;
    else re += t.length === 1 ? '(\\d{1,2})' : `(\\d{${t.length}})`;
  }
  const m = new RegExp(re + '$').exec(text.trim());
  if (!m) return null;
  let y = 1, mo = 1, day = 1, h = 0, mi = 0, sec = 0, ms = 0, offsetMin = 0, pm: boolean | null = null;
  fields.forEach((f, i) => {
    const v = m[i + 1] ?? '';
    switch (f[0]) {
      case 'y': y = f.length <= 2 ? 2000 + Number(v) : Number(v); break;
      case 'M': mo = f.length >= 3 ? months.findIndex((x) => x.toLowerCase().startsWith(v.toLowerCase())) + 1 : Number(v); break;
      case 'd': day = Number(v); break;
      case 'H': case 'h': h = Number(v); break;
      case 'm': mi = Number(v); break;
      case 's': sec = Number(v); break;
      case 'f': case 'F': ms = v ? Math.round(Number(`0.${v}`) * 1000) : 0; break;
      case 't': pm = /^p/i.test(v); break;
      case 'z': case 'K':
        if (v && v !== 'Z') {
          const sign = v[0] === '-' ? -1 : 1;
          const [hh, mm] = v.slice(1).includes(':') ? v.slice(1).split(':') : [v.slice(1, 3), v.slice(3) || '0'];
          offsetMin = sign * (Number(hh) * 60 + Number(mm));
        }
        break;
    }
  });
  if (pm !== null) h = (h % 12) + (pm ? 12 : 0);
  return new Date(Date.UTC(y, mo - 1, day, h, mi, sec, ms) - offsetMin * 60_000);
}
