New-CsCallParkOrbit -Identity "CPO 1" -NumberRangeStart 100 -NumberRangeEnd 199 -CallParkService fe01.contoso.com
Set-CsCpsConfiguration -Identity global -CallPickupTimeoutThreshold 90 -EnableMusicOnHold maybe
New-CsCallParkOrbit -Identity "CPO 2 -NumberRangeStart 200 -NumberRangeEnd 299
