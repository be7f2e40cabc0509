# tests/lib/pdfsig_check.awk: the referee Poppler's pdfsig, read strictly (awk, not Python: the check runs dozens of
# times per test and must cost no more than pdfsig itself). Input: `pdfsig -nocert [options] FILE`. Variables:
# n (signatures expected), cover (whole|part), field (optional). Passes (exit 0) when there are exactly n signatures
# (empty signature fields, which pdfsig lists too, are none), pdfsig calls every one valid, each but the last (by the
# end of its signed ranges) says "Not total document signed" (a later revision follows it), and the last says "Total
# document signed" if cover is whole (the file ends with it) or "Not total document signed" if part (an update
# follows); with field, the last is the one in that field. Else prints why and the output, exits 1. "Signature is
# Valid" alone proves only that some prefix of the file is signed, not that the file a reader opens is.
#   pdfsig -nocert FILE | awk -v n=2 -v cover=whole [-v field=NAME] -f pdfsig_check.awk
{ text = text $0 "\n" }
/^Signature #[0-9]+:/ { k++; end[k] = -1; next }
k == 0 { next }
/^  - Signature Field Name: / { f = $0; sub(/^  - Signature Field Name: /, "", f); name[k] = f }
/The signature form field is not signed\./ { unsigned[k] = 1 }
/^  - Signed Ranges: / {
	r = $0
	gsub(/[^0-9]+/, " ", r)
	m = split(r, nums, " ")
	for (i = 1; i <= m; i++)
		if (nums[i] + 0 > end[k])
			end[k] = nums[i] + 0
}
/^  - Total document signed$/ { total[k] = 1 }
/^  - Not total document signed$/ { partial[k] = 1 }
/Signature Validation: Signature is Valid\./ { valid[k] = 1 }
END {
	got = 0
	last = 0
	why = ""
	for (i = 1; i <= k; i++) {
		if (unsigned[i])
			continue
		got++
		if (!valid[i])
			why = "signature #" i " (" name[i] ") is not valid"
		else if (end[i] < 0 || total[i] == partial[i])
			why = "signature #" i " has no signed ranges or no coverage line"
		else if (last == 0 || end[i] > end[last])
			last = i
		else if (end[i] == end[last])
			why = "two signatures end at the same byte"
	}
	if (why == "" && got != n)
		why = got " signatures, want " n
	if (why == "" && got > 0) {
		for (i = 1; i <= k; i++)
			if (!unsigned[i] && i != last && total[i])
				why = "signature #" i " (" name[i] "), before the last one, says it covers the whole document"
		if (why == "" && cover == "whole" && !total[last])
			why = "the last signature (" name[last] ") does not cover the whole document"
		if (why == "" && cover == "part" && total[last])
			why = "the last signature (" name[last] ") covers the whole document, but an update should follow it"
		if (why == "" && field != "" && name[last] != field)
			why = "the last signature is in field " name[last] ", want " field
	}
	if (cover != "whole" && cover != "part")
		why = "cover must be whole or part, not '" cover "'"
	if (why != "") {
		printf "pdfsig: %s:\n%s", why, substr(text, 1, 3000)
		exit 1
	}
}
